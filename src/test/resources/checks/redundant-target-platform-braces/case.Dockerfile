
FROM --platform=${TARGETPLATFORM} scratch
