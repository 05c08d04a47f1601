"""The register of closed runs and the run folders' manifests.

`manifest.py`: each run folder's `manifest.sha256` (written last) and the run id.
`store.py`: the SQLite register, append-only, a hash chain per program year.
`close.py`: `calc close` (checks a finished run folder and records it) and `calc register --verify`.
"""
