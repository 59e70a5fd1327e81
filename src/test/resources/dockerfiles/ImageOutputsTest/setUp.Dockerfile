FROM base
COPY --chown=app:app hello.txt /home/app/
COPY run.sh /usr/local/bin/run.sh
COPY tree /tree
WORKDIR /home/app
USER app
CMD ["cat", "/home/app/hello.txt"]
