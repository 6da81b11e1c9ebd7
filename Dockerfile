# jwt2oauth as a container image: a static binary on distroless/static,
# running as the non-root user, scanning the directory mounted on /src.
#
#   docker build -t jwt2oauth .
#   docker run --rm -v "$PWD:/src" jwt2oauth scan .
#
# The binary is linked statically against glibc (crt-static): it needs no
# shared library, and glibc 2.34+ resolves host names (verify, token)
# without loading NSS modules. distroless/static rather than scratch: it
# holds the CA bundle, without which the HTTP client of verify and token
# cannot be built, and the nonroot user. tests/it/dist.rs builds it exactly as the
# build stage below does and runs it in an empty root, the way this image's
# runtime stage holds it.

# --- build stage ---------------------------------------------------------------
FROM docker.io/library/rust:1.95-bookworm AS build
WORKDIR /build
COPY . .
ENV RUSTFLAGS="-C target-feature=+crt-static"
RUN cargo build --release --locked --target "$(uname -m)-unknown-linux-gnu" \
 && mkdir -p /out \
 && cp "target/$(uname -m)-unknown-linux-gnu/release/jwt2oauth" /out/jwt2oauth

# --- runtime stage -------------------------------------------------------------
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/jwt2oauth /usr/local/bin/jwt2oauth
USER nonroot:nonroot
WORKDIR /src
ENTRYPOINT ["jwt2oauth"]
CMD ["scan", "."]
