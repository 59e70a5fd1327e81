
FROM --platform=$TARGETPLATFORM scratch
