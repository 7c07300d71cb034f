"""Documents in: read files, convert PDF/DOCX/HTML, clean the text, chunk it."""
