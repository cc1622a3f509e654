"""
Task API endpoints with comprehensive user isolation.

CRITICAL SECURITY:
- All endpoints validate URL user_id matches JWT user_id
- Users can ONLY access their own tasks
- TaskService layer enforces additional user validation
"""

from fastapi import APIRouter, Depends, HTTPException, status, Response, Query
from sqlmodel import Session
from typing import Optional
from uuid import UUID

from ...db.session import get_session
from ...auth.dependencies import get_current_user_id
from ...schemas.task import TaskCreate, TaskResponse, TaskUpdate
from ...services.task_service import TaskService
from ...services.exceptions import UnauthorizedError
import logging

logger = logging.getLogger(__name__)

router = APIRouter(
    prefix="/api/{user_id}/tasks",
    tags=["tasks"],
)


@router.post("", response_model=TaskResponse, status_code=status.HTTP_201_CREATED)
async def create_task(
    user_id: str,
    task_create: TaskCreate,
    response: Response,
    current_user_id: str = Depends(get_current_user_id),
    session: Session = Depends(get_session)
) -> TaskResponse:
    """
    Create a new task for the authenticated user.

    CRITICAL SECURITY:
    - Validates URL user_id matches JWT user_id
    - Users can ONLY create tasks for themselves
    """
    try:
        # CRITICAL: Validate URL user_id matches token user_id
        if user_id != current_user_id:
            raise UnauthorizedError("Not authorized to access this resource")

        # Create task using service layer
        task = TaskService.create_task(
            session=session,
            user_id=current_user_id,
            task_create=task_create
        )

        # Set Location header for REST best practices
        response.headers["Location"] = f"/api/{user_id}/tasks/{task.id}"

        logger.info(f"User {current_user_id} created task {task.id}")

        return TaskResponse.model_validate(task)

    except Exception as e:
        logger.error(f"Error creating task for user {current_user_id}: {str(e)}", exc_info=True)
        if isinstance(e, (HTTPException, UnauthorizedError)):
            raise e
        raise HTTPException(
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail="Failed to create task"
        )


@router.get("", response_model=list[TaskResponse])
async def list_tasks(
    user_id: str,
    current_user_id: str = Depends(get_current_user_id),
    completed: Optional[bool] = Query(None, description="Filter by completion status"),
    limit: int = Query(50, ge=1, le=100),
    offset: int = Query(0, ge=0),
    session: Session = Depends(get_session)
) -> list[TaskResponse]:
    """
    List all tasks for the authenticated user.

    CRITICAL SECURITY:
    - Validates URL user_id matches JWT user_id
    - Users can ONLY see their own tasks
    """
    try:
        # CRITICAL: Validate URL user_id matches token user_id
        if user_id != current_user_id:
            raise UnauthorizedError("Not authorized to access this resource")

        # Get tasks for authenticated user only
        tasks, total = TaskService.get_user_tasks(
            session=session,
            user_id=current_user_id,
            completed=completed,
            limit=limit,
            offset=offset
        )

        logger.info(f"User {current_user_id} retrieved {len(tasks)} tasks (total: {total})")

        return [TaskResponse.model_validate(task) for task in tasks]

    except Exception as e:
        logger.error(f"Error listing tasks for user {current_user_id}: {str(e)}", exc_info=True)
        if isinstance(e, (HTTPException, UnauthorizedError)):
            raise e
        raise HTTPException(
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail="Failed to retrieve tasks"
        )


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(
    user_id: str,
    task_id: UUID,
    current_user_id: str = Depends(get_current_user_id),
    session: Session = Depends(get_session)
) -> Response:
    """
    Delete a task for the authenticated user.

    CRITICAL SECURITY:
    - Validates URL user_id matches JWT user_id
    - TaskService validates task belongs to user before deletion
    """
    try:
        # CRITICAL: Validate URL user_id matches token user_id
        if user_id != current_user_id:
            raise UnauthorizedError("Not authorized to access this resource")

        # Delete task with user_id validation
        deleted = TaskService.delete_task(
            session=session,
            task_id=task_id,
            user_id=current_user_id
        )

        if not deleted:
            logger.warning(f"User {current_user_id} attempted to delete task {task_id} (not found)")
            raise HTTPException(
                status_code=status.HTTP_404_NOT_FOUND,
                detail="Task not found"
            )

        logger.info(f"User {current_user_id} deleted task {task_id}")

        return Response(status_code=status.HTTP_204_NO_CONTENT)

    except Exception as e:
        logger.error(f"Error deleting task {task_id} for user {current_user_id}: {str(e)}", exc_info=True)
        if isinstance(e, (HTTPException, UnauthorizedError)):
            raise e
        raise HTTPException(
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            detail="Failed to delete task"
        )
