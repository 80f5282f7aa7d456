"""Enumerations of the national registration form (registry-fields.md); labels are the form's."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REGISTERED = "registered", _("未脱贫")
    EXITED = "exited", _("已脱贫")
    RELAPSED = "relapsed", _("返贫")
    DEREGISTERED = "deregistered", _("销号")
    MONITORED = "monitored", _("监测户")
    # Applied (or found by survey) and going through the entry procedure; not yet counted.
    APPLICANT = "applicant", _("拟纳入")


# Statuses in which the household is still counted as registered poor (incidence numerator).
POOR_STATUSES = (Status.REGISTERED, Status.RELAPSED)
# A person may belong to at most one household in these statuses.
ACTIVE_STATUSES = (
    Status.REGISTERED,
    Status.EXITED,
    Status.RELAPSED,
    Status.MONITORED,
    Status.APPLICANT,
)


class Kind(models.TextChoices):
    ORDINARY = "ordinary", _("一般贫困户")
    DIBAO = "dibao", _("低保贫困户")
    DESTITUTE = "destitute", _("特困供养贫困户")


class IdentificationStandard(models.TextChoices):
    NATIONAL = "national", _("国家标准")
    PROVINCIAL = "provincial", _("省定标准")
    MUNICIPAL = "municipal", _("市定标准")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LAND = "land", _("缺土地")
    WATER = "water", _("缺水")
    SKILLS = "skills", _("缺技术")
    LABOUR = "labour", _("缺劳力")
    CAPITAL = "capital", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    MOTIVATION = "motivation", _("自身发展动力不足")


class RelocationMethod(models.TextChoices):
    CENTRALISED = "centralised", _("集中安置")
    SCATTERED = "scattered", _("分散安置")


class RoadSurface(models.TextChoices):
    DIRT = "dirt", _("泥土路")
    GRAVEL = "gravel", _("砂石路")
    CEMENT = "cement", _("水泥路")
    ASPHALT = "asphalt", _("沥青路")


class HousingGrade(models.TextChoices):
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级(危房)")
    D = "D", _("D级(危房)")


UNSAFE_HOUSING_GRADES = (HousingGrade.C, HousingGrade.D)


class Fuel(models.TextChoices):
    FIREWOOD = "firewood", _("柴草")
    COAL = "coal", _("煤")
    GAS = "gas", _("液化气")
    ELECTRICITY = "electricity", _("电")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    SON_IN_LAW = "son_in_law", _("之女婿")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    GREAT_GRANDCHILD = "great_grandchild", _("之曾孙")
    PARENT = "parent", _("之父母")
    GRANDPARENT = "grandparent", _("之祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Political(models.TextChoices):
    PARTY = "party", _("中共党员")
    LEAGUE = "league", _("共青团员")
    MASSES = "masses", _("群众")


class Education(models.TextChoices):
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专")
    COLLEGE = "college", _("大专及以上")


class Schooling(models.TextChoices):
    NONE = "none", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    COLLEGE = "college", _("高职或本科及以上")


# In compulsory education (ages 6–15): a child of that age in none of these is a dropout.
COMPULSORY_SCHOOLING = (Schooling.PRIMARY, Schooling.JUNIOR, Schooling.SENIOR, Schooling.VOCATIONAL)
COMPULSORY_AGE = (6, 15)


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class DisabilityCategory(models.TextChoices):
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class Labour(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    PARTIAL = "partial", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class WorkStatus(models.TextChoices):
    NONE = "none", _("未务工")
    IN_COUNTY = "in_county", _("县内务工")
    IN_PROVINCE = "in_province", _("省内县外务工")
    OUT_OF_PROVINCE = "out_of_province", _("省外务工")


class MeasureKind(models.TextChoices):
    INDUSTRY = "industry", _("产业扶贫")
    EMPLOYMENT = "employment", _("就业扶贫")
    EDUCATION = "education", _("教育扶贫")
    HEALTH = "health", _("健康扶贫")
    RELOCATION = "relocation", _("易地扶贫搬迁")
    HOUSING = "housing", _("危房改造")
    SAFETY_NET = "safety_net", _("兜底保障")
    CREDIT = "credit", _("小额信贷")
    ECOLOGY = "ecology", _("生态扶贫")
    INFRASTRUCTURE = "infrastructure", _("基础设施")


ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
