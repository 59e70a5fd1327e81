FROM scratch
COPY a.txt /existing/
COPY a.txt dir /existing
WORKDIR /app
COPY a.txt b.txt .
COPY b.txt <<EOF /existing
heredoc
EOF
