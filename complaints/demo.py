def seed_demo(store, today):
    return None
