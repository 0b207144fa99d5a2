"""The built-in ganzoo architectures, one package each, registered through the
`ganzoo.plugins` entry points exactly as third-party plugins are."""
