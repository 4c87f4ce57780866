"""How people and programs reach slarules; the top layer, it may import any other.

    api.py  the Python API (Program, Outcome, load, compile_source), re-exported by slarules/__init__.py
    cli.py  the `slarules` command line
    lsp/    the language server (`slarules lsp`) for editors; needs the lsp extra (pygls)
    service.py  the HTTP JSON service (`slarules serve`, an ASGI app on Starlette)
"""
