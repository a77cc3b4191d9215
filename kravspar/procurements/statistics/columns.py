"""The statistics files' format: column names, the values they use and what they mean in
Kravspår's terms, and the three kinds of file told apart by their header."""

from __future__ import annotations

import enum

from django.utils.translation import gettext as _

from kravspar.procurements.models import AgreementType, Procedure, ProcurementKind
from kravspar.suppliers.models import Sector, SizeClass

SOURCE = "Upphandlingsmyndigheten statistikdatabas 2021"
REGISTRY_PREFIX = "UHM-"
BATCH_SIZE = 1000

# Column names as the statistics database writes them.
ID = "Upphandlings-ID"
BUYER = "Namn för köpare"
BUYER_ORG_NUMBER = "Organisationsnummer för köpare"
KIND = "Upphandlingsslag"
CPV = "Huvudsaklig CPV-kod"
PROCEDURE = "Förfarande"
AGREEMENT = "Typ av avtal"
TITLE = "Upphandlingens titel"
PUBLISHED = "Publiceringsdatum"
AD_DATABASE = "Annonsdatabas"
COUNT = "Antal upphandlingar, Summa"
VALUE = "Kontrakterat värde, Summa"
LOT = "Anbudsområdes-ID"
SUPPLIER = "Namn för leverantör"
SUPPLIER_SECTOR = "Sektor för leverantör"
SUPPLIER_SIZE = "Företagsstorlek för leverantör"
TENDERS = "Antal kontrakterade anbud*, Summa"

PROCUREMENT_COLUMNS = [ID, BUYER, BUYER_ORG_NUMBER, KIND, CPV, PROCEDURE, AGREEMENT, TITLE, PUBLISHED]


class FileKind(enum.IntEnum):
    # Imported in this order, whatever order the files are given in: procurements first,
    # so that registry numbers do not depend on the order of the command line.
    PROCUREMENTS = 1
    CONTRACTED_VALUES = 2
    SUPPLIERS = 3

    @property
    def label(self) -> str:
        return {
            FileKind.PROCUREMENTS: _("procurements"),
            FileKind.CONTRACTED_VALUES: _("contracted values"),
            FileKind.SUPPLIERS: _("suppliers"),
        }[self]


KIND_COLUMNS = {
    FileKind.PROCUREMENTS: [COUNT],
    FileKind.CONTRACTED_VALUES: [VALUE],
    FileKind.SUPPLIERS: [SUPPLIER, SUPPLIER_SIZE, SUPPLIER_SECTOR, LOT, TENDERS],
}

KINDS = {
    "Varor": ProcurementKind.GOODS,
    "Tjänster": ProcurementKind.SERVICES,
    "Byggentreprenader": ProcurementKind.WORKS,
}
# LOU's Swedish names. "Selektivt förfarande" is the restricted procedure of LOU 4 kap.;
# "Urvalsförfarande" the selective procedure of LOU 19 kap. "Annat förfarande" has no match.
PROCEDURES = {
    "Öppet förfarande": Procedure.OPEN,
    "Selektivt förfarande": Procedure.RESTRICTED,
    "Förhandlat förfarande med föregående annonsering": Procedure.NEGOTIATED_WITH_NOTICE,
    "Förhandlat förfarande utan föregående annonsering": Procedure.NEGOTIATED_WITHOUT_NOTICE,
    "Konkurrenspräglad dialog": Procedure.COMPETITIVE_DIALOGUE,
    "Inovationspartnerskap": Procedure.INNOVATION_PARTNERSHIP,
    "Innovationspartnerskap": Procedure.INNOVATION_PARTNERSHIP,
    "Förenklat förfarande": Procedure.SIMPLIFIED,
    "Urvalsförfarande": Procedure.SELECTIVE,
    "Direktupphandling": Procedure.DIRECT_AWARD,
    "Annat förfarande": "",
}
AGREEMENTS = {"Kontrakt": AgreementType.CONTRACT, "Ramavtal": AgreementType.FRAMEWORK}
SIZE_CLASSES = {
    "Mikroföretag": SizeClass.MICRO,
    "Små företag": SizeClass.SMALL,
    "Medelstora företag": SizeClass.MEDIUM,
    "Stora företag": SizeClass.LARGE,
}
SECTORS = {"Privat": Sector.PRIVATE, "Offentlig": Sector.PUBLIC}
NO_CPV = "00000000"  # "Uppgift saknas": the buyer gave no CPV code
# Sole traders' names are withheld in the published statistics.
WITHHELD_NAME = "personuppgift"
