# -*- test-case-name: tests.unit.test_ami_actions -*-
"""AMI header, event, response and channel-variable names used by the code.

One constant per name, spelled as Asterisk 22 sends it (header lookups are
case-insensitive, but we send and compare the canonical spelling).
"""

from __future__ import annotations

from typing import Final

# -- headers --------------------------------------------------------------------------------
ACTION: Final = "Action"
ACTION_ID: Final = "ActionID"
EVENT: Final = "Event"
RESPONSE: Final = "Response"
MESSAGE: Final = "Message"
EVENT_LIST: Final = "EventList"
LIST_ITEMS: Final = "ListItems"
OUTPUT: Final = "Output"
VARIABLE: Final = "Variable"
CHAN_VARIABLE: Final = "ChanVariable"
VALUE: Final = "Value"
PRIVILEGE: Final = "Privilege"
CHALLENGE: Final = "Challenge"
AUTH_TYPE: Final = "AuthType"
USERNAME: Final = "Username"
SECRET: Final = "Secret"
KEY: Final = "Key"
EVENTS: Final = "Events"
EVENT_MASK: Final = "EventMask"
CHANNEL: Final = "Channel"
DEST_CHANNEL: Final = "DestChannel"
UNIQUEID: Final = "Uniqueid"
LINKEDID: Final = "Linkedid"
QUEUE: Final = "Queue"
INTERFACE: Final = "Interface"
REASON: Final = "Reason"
PING: Final = "Ping"

# -- Response values ------------------------------------------------------------------------
RESPONSE_SUCCESS: Final = "Success"
RESPONSE_ERROR: Final = "Error"
RESPONSE_FOLLOWS: Final = "Follows"
RESPONSE_GOODBYE: Final = "Goodbye"
EVENT_LIST_START: Final = "start"
EVENT_LIST_COMPLETE: Final = "Complete"

# -- Login outcomes (Message values) --------------------------------------------------------
MSG_AUTH_ACCEPTED: Final = "Authentication accepted"
MSG_AUTH_FAILED: Final = "Authentication failed"
MSG_SHUTTING_DOWN: Final = "Asterisk is shutting down"

# -- events ---------------------------------------------------------------------------------
EV_FULLY_BOOTED: Final = "FullyBooted"
EV_SHUTDOWN: Final = "Shutdown"
EV_NEWCHANNEL: Final = "Newchannel"
EV_HANGUP: Final = "Hangup"
EV_NEWSTATE: Final = "Newstate"
EV_VARSET: Final = "VarSet"
EV_ORIGINATE_RESPONSE: Final = "OriginateResponse"
EV_USER_EVENT: Final = "UserEvent"
EV_QUEUE_CALLER_JOIN: Final = "QueueCallerJoin"
EV_QUEUE_CALLER_LEAVE: Final = "QueueCallerLeave"
EV_QUEUE_CALLER_ABANDON: Final = "QueueCallerAbandon"
EV_QUEUE_MEMBER_STATUS: Final = "QueueMemberStatus"
EV_AGENT_CALLED: Final = "AgentCalled"
EV_AGENT_CONNECT: Final = "AgentConnect"
EV_AGENT_COMPLETE: Final = "AgentComplete"
EV_AGENT_RING_NO_ANSWER: Final = "AgentRingNoAnswer"
EV_CORE_SHOW_CHANNEL: Final = "CoreShowChannel"
EV_STATUS: Final = "Status"
EV_DEVICE_STATE_CHANGE: Final = "DeviceStateChange"
EV_MIXMONITOR_START: Final = "MixMonitorStart"
EV_MIXMONITOR_STOP: Final = "MixMonitorStop"
ANY_EVENT: Final = "*"

# -- channel variables set or read by switchboard --------------------------------------------
VAR_SWITCHBOARD_QUEUE: Final = "SWITCHBOARD_QUEUE"
VAR_SWITCHBOARD_IVR_DIGITS: Final = "SWITCHBOARD_IVR_DIGITS"
VAR_ACD_RECORDING: Final = "ACD_RECORDING"
VAR_MIXMONITOR_FILENAME: Final = "MIXMONITOR_FILENAME"
VAR_DIALSTATUS: Final = "DIALSTATUS"
VAR_AGISTATUS: Final = "AGISTATUS"
