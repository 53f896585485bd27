"""The writer stage: a Decision in, paper files out. Nothing here reads YAML."""
