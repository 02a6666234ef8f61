"""factory_boy factories for the domain; each builds a valid row with its relations."""

from datetime import date
from decimal import Decimal

import factory

from projects import models
from projects.money import AmountScale


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SourceDocument

    key = factory.Sequence(lambda n: f"doc-{n}")
    title = factory.Sequence(lambda n: f"测试报道{n}")
    text = "全区列入市级重点调度项目23个,总投资达299.92亿元。1月至5月已开工22个。"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Citation

    document = factory.SubFactory(SourceDocumentFactory)
    start = 0
    quote = factory.LazyAttribute(lambda c: c.document.text.split("。")[0] + "。")
    end = factory.LazyAttribute(lambda c: c.start + len(c.quote))


class CitedFactory(factory.django.DjangoModelFactory):
    """A fact: `citations=[...]` attaches the citations after the row is created."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def citations(self, create, extracted, **kwargs):
        if create and extracted:
            self.citations.set(extracted)


class ZoneFactory(CitedFactory):
    class Meta:
        model = models.Zone

    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = models.ZoneKind.COUNTY


class IndustryFactory(CitedFactory):
    class Meta:
        model = models.Industry

    name = factory.Sequence(lambda n: f"产业链{n}")


class EnterpriseFactory(CitedFactory):
    class Meta:
        model = models.Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    zone = factory.SubFactory(ZoneFactory)


class ProjectCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProjectCategory

    name = factory.Sequence(lambda n: f"重点项目类别{n}")


class ProjectFactory(CitedFactory):
    class Meta:
        model = models.Project

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"年产{n}万吨新材料项目")
    enterprise = factory.SubFactory(EnterpriseFactory, zone=factory.SelfAttribute("..zone"))
    total_investment = Decimal("1000000000")
    total_investment_scale = AmountScale.YI
    stage = models.Stage.CONSTRUCTION


class MilestoneFactory(CitedFactory):
    class Meta:
        model = models.Milestone

    project = factory.SubFactory(ProjectFactory)
    kind = models.MilestoneKind.START
    planned_date = date(2022, 3, 1)
    planned_precision = models.DatePrecision.MONTH


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Metric

    code = factory.Sequence(lambda n: f"revenue_{n}")
    name = factory.Sequence(lambda n: f"工业营收{n}")
    unit_kind = models.UnitKind.AMOUNT
    flow_or_stock = models.FlowOrStock.FLOW


class IndicatorValueFactory(CitedFactory):
    class Meta:
        model = models.IndicatorValue

    zone = factory.SubFactory(ZoneFactory)
    metric = factory.SubFactory(MetricFactory)
    year = 2022
    start_month = 1
    end_month = 5
    kind = models.ValueKind.ACTUAL
    value = Decimal("15756000000")
    scale = AmountScale.YI
    currency = "CNY"


class PortfolioFactory(CitedFactory):
    class Meta:
        model = models.Portfolio

    zone = factory.SubFactory(ZoneFactory)
    name = factory.Sequence(lambda n: f"重点调度项目清单{n}")
    year = 2022


class PortfolioEntryFactory(CitedFactory):
    class Meta:
        model = models.PortfolioEntry

    portfolio = factory.SubFactory(PortfolioFactory)
    project = factory.SubFactory(ProjectFactory, zone=factory.SelfAttribute("..portfolio.zone"))
    planned_investment = Decimal("300000000")


class CampaignFactory(CitedFactory):
    class Meta:
        model = models.Campaign

    name = factory.Sequence(lambda n: f"强攻二季度、确保双过半{n}")
    year = 2022
    start_month = 4
    end_month = 6
    checkpoint = date(2022, 6, 30)
    required_share = Decimal("50")

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if create and extracted:
            self.zones.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user without zone roles; `ZoneMembershipFactory(user=…)` gives them some."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("pw-for-tests-only")


class ZoneMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ZoneMembership

    user = factory.SubFactory(UserFactory)
    zone = factory.SubFactory(ZoneFactory)
    role = models.ZoneRole.EDITOR


class ReportScheduleFactory(factory.django.DjangoModelFactory):
    """A monthly schedule of a zone's report in every format, to one recipient."""

    class Meta:
        model = models.ReportSchedule

    zone = factory.SubFactory(ZoneFactory)
    cadence = models.ReportCadence.MONTHLY
    formats = factory.LazyFunction(models.default_formats)
    recipients = factory.LazyFunction(lambda: ["leader@example.com"])
