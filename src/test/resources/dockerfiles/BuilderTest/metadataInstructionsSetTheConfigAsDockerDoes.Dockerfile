FROM scratch AS base
CMD ["base-cmd"]
ENV A=1
FROM base AS entry
ARG VERSION=2
ENV B=$A-$VERSION C="with space" A=3 D=$A
LABEL version=$VERSION "quoted key"=v
EXPOSE 80 443/tcp 53/udp 7000-7002
VOLUME ["/data", "/cache"]
USER 1000:1000
ENTRYPOINT ["/entry"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/
SHELL ["/bin/bash", "-c"]
ONBUILD COPY a.txt /onbuild.txt
MAINTAINER someone@example.com
