"""Documents in: read files, convert PDF/DOCX/ODT/HTML/EPUB, clean the text, chunk it."""
