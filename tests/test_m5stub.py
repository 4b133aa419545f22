"""The stub m5 is strict: unknown names, parameters and values raise."""

import pytest


def test_unknown_simobject_is_rejected(m5stub):
    with pytest.raises(AttributeError, match="NoSuchDevice"):
        m5stub.objects.NoSuchDevice  # noqa: B018


def test_unknown_parameter_is_rejected_in_constructor(m5stub):
    with pytest.raises(AttributeError, match="has no parameter brodcast"):
        m5stub.objects.X86ApmPort(brodcast=True)


def test_unknown_parameter_is_rejected_on_assignment(m5stub):
    port = m5stub.objects.X86ApmPort()
    with pytest.raises(AttributeError, match="int_latancy"):
        port.int_latancy = "1ns"


def test_wrongly_typed_values_are_rejected(m5stub):
    port = m5stub.objects.X86ApmPort()
    with pytest.raises(TypeError, match="broadcast"):
        port.broadcast = 1
    with pytest.raises(ValueError, match="int_latency"):
        port.int_latency = "1 nanosecond"
    with pytest.raises(ValueError, match="default_apic_id"):
        port.default_apic_id = 256
    with pytest.raises(ValueError, match="no_smi_commands"):
        port.no_smi_commands = [0xF0, 0x1F0]


def test_unknown_parameter_type_is_rejected_at_declaration(m5stub):
    from m5.params import Param

    with pytest.raises(AttributeError, match="NoSuchType"):
        Param.NoSuchType(0, "nothing")


def test_ports_connect_only_request_to_response(m5stub):
    a = m5stub.objects.X86ApmPort()
    b = m5stub.objects.X86ApmPort()
    with pytest.raises(TypeError, match="both request ports"):
        a.int_requestor = b.int_requestor


def test_instantiate_needs_a_root_and_required_params(m5stub):
    from m5.objects import Root

    with pytest.raises(RuntimeError, match="exactly one Root"):
        m5stub.instantiate()
    root = Root(full_system=True)
    root.apm = m5stub.objects.X86ApmPort()
    m5stub.instantiate()
    assert m5stub.record["instantiated"] is root
    assert m5stub.simulate(1000).getCause()


def test_required_parameter_without_value_fails_instantiate(m5stub):
    from m5.objects import Root

    Root()  # full_system has no default
    with pytest.raises(ValueError, match="full_system was never set"):
        m5stub.instantiate()
