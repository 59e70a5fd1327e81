FROM scratch
ENV NAME=world
COPY <<EOF /greeting
hello $NAME "quoted" \$NAME ${NAME:-x}
EOF
COPY <<'RAW' /raw
$NAME
RAW
