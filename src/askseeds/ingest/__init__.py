"""Documents in: read files, convert PDF/DOCX/ODT/PPTX/HTML/EPUB, clean the text, chunk it."""
