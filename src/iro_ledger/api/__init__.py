"""The HTTP API: FastAPI routers, bearer authentication, problem+json errors."""
