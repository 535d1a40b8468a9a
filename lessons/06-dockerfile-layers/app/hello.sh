echo "Hello from a layered image"
