FROM scratch
ARG src=FROM_ARG
ARG ${src}=arg-value
ENV ARG_SEEN=$FROM_ARG
ENV "BUILD_LOGLEVEL"="5" ${src}=env-value 'single'=1
ENV ${src}_COPY=$FROM_ARG
LABEL "${src}.label"=x
