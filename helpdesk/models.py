"""Every table of the core, in the order they can be created."""

from helpdesk.accounts.invitations import Invitation
from helpdesk.accounts.models import Organisation, OrganisationDomain, Team, User
from helpdesk.accounts.sessions import SignIn
from helpdesk.accounts.tokens import AccountToken
from helpdesk.accounts.two_factor import RecoveryCode
from helpdesk.admin.settings import PortalSetting
from helpdesk.api.models import ApiToken, Webhook, WebhookDelivery
from helpdesk.audit import AuditLog
from helpdesk.cases.models import (
    Attachment,
    CallIdCounter,
    Case,
    CaseExport,
    Event,
    EventRecipient,
    Follower,
)
from helpdesk.contracts.billing_models import RunningTimer, Settlement, TimeRecord, UnitDraw
from helpdesk.contracts.models import (
    Agreement,
    AgreementFile,
    Contract,
    ContractFile,
    ContractProduct,
)
from helpdesk.development.models import DevelopmentItem, DevelopmentLink
from helpdesk.identity.models import MailboxToken, ProviderLink, SignInProvider, SsoAttempt
from helpdesk.knowledge.models import (
    Announcement,
    AnnouncementDismissal,
    Article,
    ArticleFeedback,
    ArticleFile,
    ArticleRead,
    Category,
    Deflection,
    Download,
    NewsOptOut,
    OrganisationProduct,
    Revision,
)
from helpdesk.mail.inbound.models import InboundMessage
from helpdesk.mail.models import OutboxMessage
from helpdesk.organisations.models import NewsAddress
from helpdesk.preferences import Preference
from helpdesk.products.models import Component, Product, ProductVersion
from helpdesk.ratelimit import RateLimitHit
from helpdesk.reports.models import (
    CaseTimeCount,
    CaseTimes,
    DailyCaseCount,
    DailyOpenCount,
    OpenCase,
    OpenCaseAge,
    OpenCaseCount,
)
from helpdesk.sla.models import CalendarOverride, CaseClock
from helpdesk.survey.models import SurveyResponse
from helpdesk.system import SystemState

ALL_MODELS = [
    Organisation,
    OrganisationDomain,
    Team,
    User,
    SignIn,
    Product,
    ProductVersion,
    Component,
    SystemState,
    PortalSetting,
    CallIdCounter,
    Case,
    Event,
    Attachment,
    CaseExport,
    Follower,
    Preference,
    OutboxMessage,
    EventRecipient,
    AccountToken,
    Invitation,
    RecoveryCode,
    NewsAddress,
    AuditLog,
    SurveyResponse,
    DevelopmentItem,
    DevelopmentLink,
    CaseClock,
    CalendarOverride,
    InboundMessage,
    RateLimitHit,
    # Contracts and the data-processing agreement (issue 15)
    Contract,
    ContractProduct,
    ContractFile,
    AgreementFile,
    Agreement,
    TimeRecord,
    RunningTimer,
    Settlement,
    UnitDraw,
    DailyCaseCount,
    CaseTimes,
    CaseTimeCount,
    DailyOpenCount,
    OpenCase,
    OpenCaseCount,
    OpenCaseAge,
    ApiToken,
    Webhook,
    WebhookDelivery,
    # Single sign-on (issue 20)
    SignInProvider,
    ProviderLink,
    SsoAttempt,
    MailboxToken,
    # the knowledge base (issue 14)
    OrganisationProduct,
    Category,
    Article,
    Revision,
    ArticleRead,
    Deflection,
    Announcement,
    AnnouncementDismissal,
    NewsOptOut,
    Download,
    ArticleFeedback,
    ArticleFile,
]
