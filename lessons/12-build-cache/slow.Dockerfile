FROM busybox
WORKDIR /app
# copies everything: app.py, shop.py and requirements.txt
COPY . /app
# stands for "pip install -r requirements.txt": slow, and only needs requirements.txt
RUN sleep 2 && mkdir /deps && cp requirements.txt /deps/installed.txt
CMD ["cat", "/app/app.py"]
