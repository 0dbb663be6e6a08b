"""Imports every domain's models so that metadata is complete (Alembic, create_all)."""
from healthgrid.auth.models import ApiToken, AuditEntry, User  # noqa: F401
from healthgrid.org.models import (  # noqa: F401
    Community, Grid, Institution, Staff, Team, TeamMembership)
from healthgrid.records.models import (  # noqa: F401
    Contract, Household, Resident, ResidentHistory, ServiceRecord)
from healthgrid.chronic.models import (  # noqa: F401
    CheckRow, ElderlyCheck, Enrollment, FollowUp, FollowUpMedicine)
from healthgrid.referral.models import Referral, ReferralEvent  # noqa: F401
from healthgrid.surveys.models import SurveyResponse  # noqa: F401
from healthgrid.kpi.models import KpiWeight  # noqa: F401
from healthgrid.events.models import GridEvent, GridEventPhoto, GridEventStep  # noqa: F401
from healthgrid.geo.models import GridBoundary, HouseholdLocation  # noqa: F401
