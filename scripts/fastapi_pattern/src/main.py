"""The FastAPI app around the pattern's router, as scripts/fastapi_load.sh
runs it:

    cd scripts/fastapi_pattern
    BETTER_AUTH_SECRET=... DATABASE_URL=sqlite:///tasks.db \
        uvicorn src.main:app --no-access-log [--workers 2]

src/auth/jwt.py, src/auth/dependencies.py and src/api/v1/tasks.py are the
pattern's files as written (/work/shared/seed/fastapi-jwt-pattern.md); the
rest is the least they import.
"""

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from .api.v1 import tasks
from .db.session import create_db_and_tables
from .services.exceptions import UnauthorizedError


@asynccontextmanager
async def lifespan(app: FastAPI):
    create_db_and_tables()
    yield


app = FastAPI(title="Task API", lifespan=lifespan)

app.add_middleware(
    CORSMiddleware,
    allow_origins=os.getenv("CORS_ORIGINS", "http://localhost:3000").split(","),
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.exception_handler(UnauthorizedError)
async def unauthorized(request: Request, error: UnauthorizedError) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_403_FORBIDDEN, content={"detail": str(error)})


@app.get("/health")
async def health() -> dict:
    return {"status": "healthy"}


app.include_router(tasks.router)
