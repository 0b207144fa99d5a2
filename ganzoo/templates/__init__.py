"""Package templates of `ganzoo new-plugin` (see `ganzoo.scaffold`)."""
