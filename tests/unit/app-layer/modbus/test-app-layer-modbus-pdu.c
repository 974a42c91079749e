/* Modbus ADUs (modbus_msg_parse, modbus_match_check): reads, single and multiple
 * writes, read/write, diagnostics, exceptions, categories, and truncated, empty,
 * oversized, maximum-value and garbage input with the events Suricata names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/modbus/app-layer-modbus.h"

#define EV(e) (1u << (e))

/* MBAP (tid 1, protocol 0, unit 10) + pdu into out; returns the ADU length. */
static uint32_t adu(uint8_t *out, const uint8_t *pdu, uint32_t n)
{
    uint8_t h[7] = {0, 1, 0, 0, (uint8_t)((n + 1) >> 8), (uint8_t)(n + 1), 10};
    memcpy(out, h, 7);
    memcpy(out + 7, pdu, n);
    return 7 + n;
}

static void read_holding_registers(void **state)
{
    (void)state;
    static const uint8_t pdu[] = {3, 0, 100, 0, 4};
    uint8_t b[300];
    ModbusMsg m;
    assert_int_equal(modbus_msg_parse(b, adu(b, pdu, sizeof(pdu)), 0, &m), 0);
    assert_int_equal(m.access, MODBUS_ACC_READ | MODBUS_ACC_HOLDING);
    assert_int_equal(m.read_address, 100);
    assert_int_equal(m.read_quantity, 4);
    assert_int_equal(m.unit_id, 10);
    static const uint8_t rsp[] = {3, 8, 0, 1, 0, 2, 0, 3, 0, 4};
    ModbusMsg r;
    assert_int_equal(modbus_msg_parse(b, adu(b, rsp, sizeof(rsp)), 1, &r), 0);
    assert_int_equal(modbus_match_check(&m, &r), 0);
    static const uint8_t short_rsp[] = {3, 2, 0, 1};
    assert_int_equal(modbus_msg_parse(b, adu(b, short_rsp, sizeof(short_rsp)), 1, &r), 0);
    assert_int_equal(modbus_match_check(&m, &r), EV(MODBUS_EV_VALUE_MISMATCH));
}

static void quantity_out_of_range_is_invalid_value(void **state)
{
    (void)state;
    static const uint8_t zero[] = {3, 0, 0, 0, 0};
    static const uint8_t big[] = {1, 0, 0, 0x07, 0xd1};   // 2001 coils
    uint8_t b[300];
    ModbusMsg m;
    assert_int_equal(modbus_msg_parse(b, adu(b, zero, sizeof(zero)), 0, &m),
                     EV(MODBUS_EV_INVALID_VALUE));
    assert_int_equal(modbus_msg_parse(b, adu(b, big, sizeof(big)), 0, &m),
                     EV(MODBUS_EV_INVALID_VALUE));
}

static void writes_keep_address_and_values(void **state)
{
    (void)state;
    static const uint8_t single[] = {6, 0x01, 0xf4, 0x01, 0x2c};
    static const uint8_t multi[] = {16, 0x02, 0x58, 0, 3, 6, 0, 7, 0, 8, 0, 9};
    static const uint8_t coil_bad[] = {5, 0, 1, 0x12, 0x34};
    uint8_t b[300];
    ModbusMsg m;
    assert_int_equal(modbus_msg_parse(b, adu(b, single, sizeof(single)), 0, &m), 0);
    assert_int_equal(m.write_address, 500);
    assert_int_equal(m.values[0], 300);
    assert_int_equal(modbus_msg_parse(b, adu(b, multi, sizeof(multi)), 0, &m), 0);
    assert_int_equal(m.n_values, 3);
    assert_int_equal(m.values[2], 9);
    assert_int_equal(modbus_msg_parse(b, adu(b, coil_bad, sizeof(coil_bad)), 0, &m),
                     EV(MODBUS_EV_INVALID_VALUE));
    /* byte count lying about the values */
    uint8_t lie[sizeof(multi)];
    memcpy(lie, multi, sizeof(multi));
    lie[5] = 250;
    assert_int_equal(modbus_msg_parse(b, adu(b, lie, sizeof(lie)), 0, &m),
                     EV(MODBUS_EV_INVALID_VALUE));
}

static void read_write_multiple_has_both_parts(void **state)
{
    (void)state;
    static const uint8_t pdu[] = {23, 0, 10, 0, 2, 0, 20, 0, 1, 2, 0xab, 0xcd};
    uint8_t b[300];
    ModbusMsg m;
    assert_int_equal(modbus_msg_parse(b, adu(b, pdu, sizeof(pdu)), 0, &m), 0);
    assert_int_equal(m.access, MODBUS_ACC_READ | MODBUS_ACC_WRITE | MODBUS_ACC_HOLDING);
    assert_int_equal(m.read_address, 10);
    assert_int_equal(m.write_address, 20);
    assert_int_equal(m.values[0], 0xabcd);
}

static void exceptions_and_bad_codes(void **state)
{
    (void)state;
    static const uint8_t ok[] = {0x83, 2};
    static const uint8_t bad[] = {0x83, 0x55};
    uint8_t b[300];
    ModbusMsg m;
    assert_int_equal(modbus_msg_parse(b, adu(b, ok, sizeof(ok)), 1, &m), 0);
    assert_int_equal(m.exception, 2);
    assert_int_equal(modbus_msg_parse(b, adu(b, bad, sizeof(bad)), 1, &m),
                     EV(MODBUS_EV_INVALID_EXCEPTION_CODE));
    static const uint8_t fc0[] = {0};
    assert_int_equal(modbus_msg_parse(b, adu(b, fc0, 1), 0, &m),
                     EV(MODBUS_EV_INVALID_FUNCTION_CODE));
}

static void header_errors(void **state)
{
    (void)state;
    static const uint8_t pdu[] = {3, 0, 0, 0, 1};
    uint8_t b[300];
    ModbusMsg m;
    uint32_t n = adu(b, pdu, sizeof(pdu));
    b[3] = 1;                                        // protocol id 1
    assert_int_equal(modbus_msg_parse(b, n, 0, &m), EV(MODBUS_EV_INVALID_PROTOCOL_ID));
    b[3] = 0;
    b[5] = 0xff;                                     // length beyond the data
    assert_int_equal(modbus_msg_parse(b, n, 0, &m), EV(MODBUS_EV_INVALID_LENGTH));
    assert_int_equal(modbus_msg_parse(b, 0, 0, &m), EV(MODBUS_EV_INVALID_LENGTH));
    assert_false(m.is_present);
    memset(b, 0xff, sizeof(b));
    assert_true(modbus_msg_parse(b, MODBUS_ADU_MAX, 0, &m) != 0);
}

static void diagnostics_subfunction_and_categories(void **state)
{
    (void)state;
    static const uint8_t pdu[] = {8, 0, 4, 0, 0};
    uint8_t b[300];
    ModbusMsg m;
    assert_int_equal(modbus_msg_parse(b, adu(b, pdu, sizeof(pdu)), 0, &m), 0);
    assert_true(m.has_subfunction);
    assert_int_equal(m.subfunction, 4);
    assert_int_equal(modbus_function_category(3), MODBUS_CAT_PUBLIC_ASSIGNED);
    assert_int_equal(modbus_function_category(66), MODBUS_CAT_USER);
    assert_int_equal(modbus_function_category(9), MODBUS_CAT_RESERVED);
    assert_int_equal(modbus_function_category(30), MODBUS_CAT_PUBLIC_UNASSIGNED);
    assert_string_equal(modbus_function_name(0x83), "RdHoldRegs");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_holding_registers),
        cmocka_unit_test(quantity_out_of_range_is_invalid_value),
        cmocka_unit_test(writes_keep_address_and_values),
        cmocka_unit_test(read_write_multiple_has_both_parts),
        cmocka_unit_test(exceptions_and_bad_codes),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(diagnostics_subfunction_and_categories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
