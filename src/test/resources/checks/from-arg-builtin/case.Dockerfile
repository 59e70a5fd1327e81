
FROM --platform=$BUILDPLATFORM scratch
COPY Dockerfile .
