"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:36:25.540947
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_region_code"), ["code"], unique=True)

    op.create_table(
        "skill",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "trainingcourse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("refresh_months", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trainingcourse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainingcourse_code"), ["code"], unique=True)

    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_code"), ["code"], unique=True)
        batch_op.create_index(batch_op.f("ix_area_region_id"), ["region_id"], unique=False)

    op.create_table(
        "courseskill",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("skill_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["trainingcourse.id"],
        ),
        sa.ForeignKeyConstraint(
            ["skill_code"],
            ["skill.code"],
        ),
        sa.PrimaryKeyConstraint("course_id", "skill_code"),
    )
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nhs_number", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column(
            "carer_gender",
            sa.Enum(
                "any",
                "female",
                "male",
                name="ck_genderpreference",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("carer_gender_strict", sa.Boolean(), nullable=False),
        sa.Column("access_notes", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_nhs_number"), ["nhs_number"], unique=True)

    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "gender",
            sa.Enum(
                "female",
                "male",
                "other",
                name="ck_gender",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("home_postcode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("home_latitude", sa.Float(), nullable=False),
        sa.Column("home_longitude", sa.Float(), nullable=False),
        sa.Column(
            "transport_mode",
            sa.Enum(
                "car",
                "walking",
                "public_transport",
                name="ck_transportmode",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("contracted_minutes_per_week", sa.Integer(), nullable=False),
        sa.Column("minimum_minutes_per_week", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("opted_out_of_48h", sa.Boolean(), nullable=False),
        sa.Column("hourly_pay_pence", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_worker_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_worker_ref"), ["ref"], unique=True)

    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "leave",
                "sickness",
                "other",
                name="ck_absencekind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "availabilitypattern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("availabilitypattern", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availabilitypattern_worker_id"), ["worker_id"], unique=False
        )

    op.create_table(
        "careplan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("window_start", sa.Time(), nullable=False),
        sa.Column("window_end", sa.Time(), nullable=False),
        sa.Column("preferred_start", sa.Time(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("carers_required", sa.Integer(), nullable=False),
        sa.Column("time_critical", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("tasks", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("careplan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_careplan_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_careplan_ref"), ["ref"], unique=True)

    op.create_table(
        "clientcarerpreference",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "preferred",
                "declined",
                name="ck_carerpreferencekind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("client_id", "worker_id"),
    )
    op.create_table(
        "trainingrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["trainingcourse.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trainingrecord", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trainingrecord_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_trainingrecord_worker_id"), ["worker_id"], unique=False
        )

    op.create_table(
        "useraccount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "worker",
                "coordinator",
                "manager",
                "admin",
                name="ck_role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("useraccount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_useraccount_username"), ["username"], unique=True)

    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["useraccount.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditentry_user_id"), ["user_id"], unique=False)

    op.create_table(
        "planrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "running",
                "draft",
                "validated",
                "published",
                "failed",
                "superseded",
                name="ck_planrunstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("visits_total", sa.Integer(), nullable=False),
        sa.Column("visits_allocated", sa.Integer(), nullable=False),
        sa.Column("objective", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["useraccount.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("planrun", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planrun_day"), ["day"], unique=False)

    op.create_table(
        "userarea",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["useraccount.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "area_id"),
    )
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_plan_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("earliest_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("preferred_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("carers_required", sa.Integer(), nullable=False),
        sa.Column("time_critical", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("tasks", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled",
                "checked_in",
                "completed",
                "missed",
                "cancelled",
                name="ck_visitstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("pinned_worker_id", sa.Integer(), nullable=True),
        sa.Column("pinned_second_worker_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["care_plan_id"],
            ["careplan.id"],
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pinned_second_worker_id"],
            ["worker.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pinned_worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("care_plan_id", "day", name="uq_visit_care_plan_day"),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_area_day", ["area_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_care_plan_id"), ["care_plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_day"), ["day"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("travel_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["planrun.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_run_id", "visit_id", "worker_id", name="uq_assignment"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_plan_run_id"), ["plan_run_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "planrunarea",
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["planrun.id"],
        ),
        sa.PrimaryKeyConstraint("plan_run_id", "area_id"),
    )
    op.create_table(
        "publishedrota",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["planrun.id"],
        ),
        sa.PrimaryKeyConstraint("area_id", "day"),
    )
    op.create_table(
        "unallocatedvisit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("reason_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_run_id"],
            ["planrun.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unallocatedvisit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unallocatedvisit_plan_run_id"), ["plan_run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unallocatedvisit_visit_id"), ["visit_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("unallocatedvisit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unallocatedvisit_visit_id"))
        batch_op.drop_index(batch_op.f("ix_unallocatedvisit_plan_run_id"))

    op.drop_table("unallocatedvisit")
    op.drop_table("publishedrota")
    op.drop_table("planrunarea")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_worker_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_visit_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_plan_run_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_day"))
        batch_op.drop_index(batch_op.f("ix_visit_client_id"))
        batch_op.drop_index(batch_op.f("ix_visit_care_plan_id"))
        batch_op.drop_index(batch_op.f("ix_visit_area_id"))
        batch_op.drop_index("ix_visit_area_day")

    op.drop_table("visit")
    op.drop_table("userarea")
    with op.batch_alter_table("planrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planrun_day"))

    op.drop_table("planrun")
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditentry_user_id"))

    op.drop_table("auditentry")
    with op.batch_alter_table("useraccount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_useraccount_username"))

    op.drop_table("useraccount")
    with op.batch_alter_table("trainingrecord", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainingrecord_worker_id"))
        batch_op.drop_index(batch_op.f("ix_trainingrecord_course_id"))

    op.drop_table("trainingrecord")
    op.drop_table("clientcarerpreference")
    with op.batch_alter_table("careplan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_careplan_ref"))
        batch_op.drop_index(batch_op.f("ix_careplan_client_id"))

    op.drop_table("careplan")
    with op.batch_alter_table("availabilitypattern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availabilitypattern_worker_id"))

    op.drop_table("availabilitypattern")
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absence_worker_id"))

    op.drop_table("absence")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_ref"))
        batch_op.drop_index(batch_op.f("ix_worker_area_id"))

    op.drop_table("worker")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_nhs_number"))
        batch_op.drop_index(batch_op.f("ix_client_area_id"))

    op.drop_table("client")
    op.drop_table("courseskill")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_region_id"))
        batch_op.drop_index(batch_op.f("ix_area_code"))

    op.drop_table("area")
    with op.batch_alter_table("trainingcourse", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainingcourse_code"))

    op.drop_table("trainingcourse")
    op.drop_table("skill")
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_code"))

    op.drop_table("region")
