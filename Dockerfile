# Multi-stage build: compile in the Go image, run from a small distroless
# image as a non-root user. Dialogs, locales and the law registry are
# embedded in the binary, so the image needs nothing else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Download modules first so code edits do not bust this layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/disputebot ./cmd/disputebot \
 && /out/disputebot lint

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/disputebot /usr/local/bin/disputebot
USER nonroot:nonroot
# Webhook mode listens here (health check at /healthz); polling mode needs
# no port at all.
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/disputebot"]
CMD ["serve"]
