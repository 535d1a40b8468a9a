def prices():
    return {"apple": 1, "pear": 2}
