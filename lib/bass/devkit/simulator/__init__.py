"""Province simulator: plays BOSS, writing every source interface's deliveries (see generate.py)."""
