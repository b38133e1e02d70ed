"""Agents' transfers read from AMI: ``BlindTransfer`` and ``AttendedTransfer`` to the
``call_transferred`` fact, in both routing shells.

The transcript below is NOT a capture (the captures in /work/shared/protocol-captures
hold no transfer). It is built from the fields Asterisk 22 documents and writes:
main/stasis_bridges.c (``blind_transfer_to_ami``, ``attended_transfer_to_ami`` and the
``BlindTransfer`` / ``AttendedTransfer`` managerEvent XML: Result, the channel snapshots
prefixed Transferer/Transferee or OrigTransferer/SecondTransferer/Transferee/
TransferTarget, the Orig/Second bridge snapshots, IsExternal, Context/Extension,
DestType/DestBridgeUniqueid), the snapshot fields of main/manager_channels.c
(``ast_manager_build_channel_state_string_prefix``) and of main/manager_bridges.c
(``ast_manager_build_bridge_state_string_prefix``), and main/bridge_basic.c
(``publish_transfer_success`` / ``publish_transfer_fail``: the atxfer feature names the
same transferer channel as Orig and Second; a failed one has neither Transferee nor
TransferTarget). Both events are in the ``call`` class (EVENT_FLAG_CALL).
"""

from __future__ import annotations

from switchboard.cti.ami.frames import AmiParser, Message
from switchboard.queue.core.decisions import (
    CallAnswered,
    CallFinished,
    CallTransferred,
)
from switchboard.queue.core.model import CallOutcome
from switchboard.queue.core.transfers import TransferReader


def _snapshot(prefix: str, name: str, uniqueid: str, linkedid: str, exten: str = "s") -> str:
    return (
        f"{prefix}Channel: {name}\r\n{prefix}ChannelState: 6\r\n"
        f"{prefix}ChannelStateDesc: Up\r\n{prefix}CallerIDNum: 13800138000\r\n"
        f"{prefix}CallerIDName: Li Wei\r\n{prefix}ConnectedLineNum: 1001\r\n"
        f"{prefix}ConnectedLineName: <unknown>\r\n{prefix}Language: en\r\n"
        f"{prefix}AccountCode: \r\n{prefix}Context: switchboard-agents\r\n"
        f"{prefix}Exten: {exten}\r\n{prefix}Priority: 1\r\n"
        f"{prefix}Uniqueid: {uniqueid}\r\n{prefix}Linkedid: {linkedid}\r\n"
    )


def _bridge(prefix: str, uniqueid: str) -> str:
    return (
        f"{prefix}BridgeUniqueid: {uniqueid}\r\n{prefix}BridgeType: basic\r\n"
        f"{prefix}BridgeTechnology: simple_bridge\r\n{prefix}BridgeCreator: <unknown>\r\n"
        f"{prefix}BridgeName: <unknown>\r\n{prefix}BridgeNumChannels: 2\r\n"
        f"{prefix}BridgeVideoSourceMode: none\r\n"
    )


CALLER = ("PJSIP/trunk-00000011", "1795485600.17", "1795485600.17")
AGENT = ("PJSIP/1001-00000012", "1795485600.18", "1795485600.17")
TARGET = ("PJSIP/2001-00000014", "1795485700.20", "1795485700.19")
BRIDGE = "6a1c0f3e-0000-4000-8000-000000000001"

BLIND = (
    "Event: BlindTransfer\r\nPrivilege: call,all\r\nResult: Success\r\n"
    + _snapshot("Transferer", *AGENT)
    + _snapshot("Transferee", *CALLER)
    + _bridge("", BRIDGE)
    + "IsExternal: Yes\r\nContext: switchboard-transfer\r\nExtension: 2000\r\n\r\n"
)
ATTENDED = (
    "Event: AttendedTransfer\r\nPrivilege: call,all\r\nResult: Success\r\n"
    + _snapshot("OrigTransferer", *AGENT)
    + _bridge("Orig", BRIDGE)
    + _snapshot("SecondTransferer", *AGENT)
    + _bridge("Second", "6a1c0f3e-0000-4000-8000-000000000002")
    + _snapshot("Transferee", *CALLER)
    + _snapshot("TransferTarget", *TARGET)
    + f"IsExternal: No\r\nDestType: Bridge\r\nDestBridgeUniqueid: {BRIDGE}\r\n\r\n"
)
ATTENDED_FAILED = (
    "Event: AttendedTransfer\r\nPrivilege: call,all\r\nResult: Fail\r\n"
    + _snapshot("OrigTransferer", *AGENT)
    + _bridge("Orig", BRIDGE)
    + _snapshot("SecondTransferer", *AGENT)
    + "IsExternal: No\r\nDestType: Fail\r\n\r\n"
)
BLIND_INVALID = (
    "Event: BlindTransfer\r\nPrivilege: call,all\r\nResult: Invalid\r\n"
    + _snapshot("Transferer", *AGENT)
    + "IsExternal: Yes\r\nContext: switchboard-transfer\r\nExtension: 2000\r\n\r\n"
)


def _message(text: str) -> Message:
    (msg,) = AmiParser().feed(text.encode())
    assert isinstance(msg, Message)
    return msg


def _reader() -> TransferReader:
    reader = TransferReader(lambda agent_id: "PJSIP/" + agent_id)
    reader.learn([CallAnswered("1795485600.17", "sales", "1001", 1000.0, 12.0)])
    return reader


def test_the_documented_fields_parse_into_the_message_the_reader_reads() -> None:
    blind, attended = _message(BLIND), _message(ATTENDED)
    assert blind.event == "BlindTransfer" and attended.event == "AttendedTransfer"
    assert blind.get("TransfereeUniqueid") == "1795485600.17"
    assert blind.get("TransfererChannel") == "PJSIP/1001-00000012"
    assert (blind.get("Context"), blind.get("Extension"), blind.get("IsExternal")) == (
        "switchboard-transfer",
        "2000",
        "Yes",
    )
    assert attended.get("OrigTransfererChannel") == attended.get("SecondTransfererChannel")
    assert attended.get("TransferTargetChannel") == "PJSIP/2001-00000014"
    assert attended.get("DestType") == "Bridge"


def test_a_blind_transfer_by_the_answering_agent_is_a_fact_naming_the_queue_call() -> None:
    fact = _reader().feed(_message(BLIND), 1050.0)
    assert fact == CallTransferred(
        "1795485600.17",
        "sales",
        "1001",
        1050.0,
        "blind",
        target="2000@switchboard-transfer",
        linkedid="1795485600.17",
    )


def test_an_attended_transfer_names_the_target_channel() -> None:
    fact = _reader().feed(_message(ATTENDED), 1080.0)
    assert fact is not None
    assert (fact.method, fact.target, fact.agent_id) == ("attended", "PJSIP/2001-00000014", "1001")


def test_a_failed_or_invalid_transfer_is_no_fact_and_the_next_success_still_counts() -> None:
    reader = _reader()
    assert reader.feed(_message(ATTENDED_FAILED), 1040.0) is None
    assert reader.feed(_message(BLIND_INVALID), 1041.0) is None
    assert reader.feed(_message(BLIND), 1050.0) is not None


def test_one_answer_is_transferred_once_and_a_stranger_call_is_not_ours() -> None:
    reader = _reader()
    assert reader.feed(_message(BLIND), 1050.0) is not None
    # The target hands the caller on again: that did not leave the visit a second time.
    assert reader.feed(_message(BLIND), 1090.0) is None
    # Answered from a queue again: a new visit that can be transferred.
    reader.learn([CallAnswered("1795485600.17", "vip", "1002", 1100.0, 3.0)])
    again = reader.feed(_message(BLIND.replace("PJSIP/1001-", "PJSIP/1002-")), 1150.0)
    assert again is not None and (again.queue, again.agent_id) == ("vip", "1002")
    # The other routing shell's reader never answered it: nothing to say.
    assert TransferReader(lambda a: "PJSIP/" + a).feed(_message(BLIND), 1050.0) is None


def test_a_caller_behind_another_channel_is_found_by_the_agents_device_while_talking() -> None:
    reader = TransferReader(lambda a: "PJSIP/" + a)
    reader.learn([CallAnswered("other.5", "sales", "1001", 1000.0, 1.0)])
    fact = reader.feed(_message(BLIND), 1010.0)
    assert fact is not None and fact.call_id == "other.5"
    # Once that call finished, an agent's later transfer is not pinned on it.
    reader.learn([CallAnswered("other.6", "sales", "1001", 1100.0, 1.0)])
    reader.learn([CallFinished("other.6", "sales", 1200.0, CallOutcome.ANSWERED, "1001")])
    assert reader.feed(_message(BLIND), 1300.0) is None
