# The iro-ledger service image: the package installed with pip into a venv, run as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/iro-ledger \
    PATH=/opt/iro-ledger/bin:$PATH

# DejaVu Sans for the dispute bundle's PDF (exports/dispute_pdf.py finds Debian's fonts-dejavu).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 iro \
    && useradd --system --uid 10001 --gid iro --create-home --home-dir /home/iro iro \
    && python -m venv /opt/iro-ledger

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /app/build

USER iro
WORKDIR /home/iro
EXPOSE 8000
# `serve` on 0.0.0.0 refuses to start (exit 2, saying why) unless IRO_LEDGER_JWT_SECRET is set to
# 32 or more random bytes: pass it at run time (never bake it into the image), e.g.
#   docker run -e IRO_LEDGER_JWT_SECRET="$(openssl rand -base64 48)" ...
CMD ["iro-ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
