FROM scratch
COPY passwd group /etc/
COPY --chown=1234 a.txt /numeric
COPY --chown=1234: a.txt /numeric-empty-group
COPY --chown=app a.txt /name
COPY --chown=app:staff a.txt /name-group
COPY --chown=app:4321 a.txt /name-numeric-group
COPY --chown=1234:staff a.txt /numeric-name-group
COPY --chown=ghost a.txt /unknown-user
COPY --chown=1234:ghosts a.txt /unknown-group
COPY --chown=app:ghosts a.txt /name-unknown-group
COPY --chown=root a.txt /root-name
ADD --chown=1234 b.txt /added
COPY --chown=1234 <<EOF /heredoc
text
EOF
USER 2345
WORKDIR /work
