
FROM --platform=linux/amd64 scratch AS my_amd64_stage
