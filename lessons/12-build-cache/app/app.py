from shop import prices

print("Welcome to the shop")
print(prices())
