"""The Gradio web chat: the app, its HTML, uploads, feedback votes."""
