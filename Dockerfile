FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY requirements/base.txt ./requirements/base.txt
RUN pip install --upgrade pip && pip install --require-hashes -r requirements/base.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 tuanjian && mkdir -p /app/media && chown tuanjian /app/media
USER tuanjian

EXPOSE 8000
CMD ["gunicorn", "tuanjian.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
