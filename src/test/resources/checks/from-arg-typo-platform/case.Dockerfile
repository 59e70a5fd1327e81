
FROM --platform=$BULIDPLATFORM scratch
COPY Dockerfile .
