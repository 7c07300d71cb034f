"""Text to vectors: the sentence-transformers encoder, its int8 ONNX form, shared batches."""
