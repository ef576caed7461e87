"""Small synthetic X12 texts for loader tests (no PHI: made-up names and ids)."""

from __future__ import annotations


def isa(control: str = "000000001", element: str = "*", component: str = ":", repetition: str = "^",
        terminator: str = "~") -> str:
    fields = ["ISA", "00", " " * 10, "00", " " * 10, "ZZ", "SENDER".ljust(15), "ZZ", "RECEIVER".ljust(15),
              "260105", "1200", repetition, "00501", control, "0", "P", component]
    return element.join(fields) + terminator


def remittance(claims: int = 2, control: str = "000000001", element: str = "*", component: str = ":",
               terminator: str = "~", newline: str = "", patient_name: str = "TESTPATIENT") -> str:
    """A balanced 835 interchange with `claims` claims, one service line each."""
    e, c, t = element, component, terminator + newline
    body = [
        f"BPR{e}I{e}{80 * claims}{e}C{e}ACH{e}CCP{e}01{e}999999999{e}DA{e}123456{e}1512345678{e}{e}01{e}"
        f"999988880{e}DA{e}98765{e}20260110",
        f"TRN{e}1{e}EFT000001{e}1512345678",
        f"DTM{e}405{e}20260110",
        f"N1{e}PR{e}TEST PAYER{e}XV{e}COMMA",
        f"N1{e}PE{e}TEST CLINIC{e}XX{e}1234567890",
    ]
    for index in range(claims):
        body += [
            f"LX{e}{index + 1}",
            f"CLP{e}PCN{index:05d}{e}1{e}100{e}80{e}0{e}12{e}ICN{index:05d}",
            f"NM1{e}QC{e}1{e}{patient_name}{e}JANE{e}{e}{e}{e}MI{e}MEMBERID{index:05d}",
            f"SVC{e}HC{c}J7189{c}JZ{e}100{e}80{e}{e}7200",
            f"DTM{e}472{e}20260102",
            f"CAS{e}CO{e}45{e}20",
            f"REF{e}6R{e}LINE{index:05d}",
        ]
    body.append(f"PLB{e}1234567890{e}20261231{e}L6{c}INTEREST{e}0")
    segments = [f"ST{e}835{e}0001", *body]
    segments.append(f"SE{e}{len(segments) + 1}{e}0001")
    group = [f"GS{e}HP{e}SENDER{e}RECEIVER{e}20260105{e}1200{e}1{e}X{e}005010X221A1", *segments,
             f"GE{e}1{e}1"]
    header = isa(control, element, component, "^", terminator) + newline
    return header + t.join(group) + t + f"IEA{e}1{e}{control}" + t
