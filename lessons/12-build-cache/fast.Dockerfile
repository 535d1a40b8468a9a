FROM busybox
WORKDIR /app
# first only the list of dependencies...
COPY requirements.txt /app/
# ...so that this slow step depends on nothing else
RUN sleep 2 && mkdir /deps && cp requirements.txt /deps/installed.txt
# then the code, which changes all the time
COPY . /app
CMD ["cat", "/app/app.py"]
