"""The service layer the pattern's tasks.py calls: every query is scoped to
the token's user. The list counts, then reads the page (newest first)."""

from typing import Optional
from uuid import UUID

from sqlmodel import Session, func, select

from ..models.task import Task
from ..schemas.task import TaskCreate


class TaskService:
    @staticmethod
    def create_task(session: Session, user_id: str, task_create: TaskCreate) -> Task:
        task = Task(
            user_id=user_id,
            title=task_create.title.strip(),
            description=task_create.description,
        )
        session.add(task)
        session.commit()
        session.refresh(task)
        return task

    @staticmethod
    def get_user_tasks(
        session: Session,
        user_id: str,
        completed: Optional[bool] = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Task], int]:
        query = select(Task).where(Task.user_id == user_id)
        count = select(func.count()).select_from(Task).where(Task.user_id == user_id)
        if completed is not None:
            query = query.where(Task.completed == completed)
            count = count.where(Task.completed == completed)
        total = session.exec(count).one()
        tasks = session.exec(
            query.order_by(Task.created_at.desc()).offset(offset).limit(limit)
        ).all()
        return list(tasks), total

    @staticmethod
    def delete_task(session: Session, task_id: UUID, user_id: str) -> bool:
        task = session.exec(
            select(Task).where(Task.id == task_id, Task.user_id == user_id)
        ).first()
        if task is None:
            return False
        session.delete(task)
        session.commit()
        return True
