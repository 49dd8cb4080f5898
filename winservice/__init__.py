"""Windows service scripts: install.py / uninstall.py drive NSSM (see README.md)."""
