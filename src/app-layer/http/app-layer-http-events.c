/* HTTP event names (as rules name them after "http.") and which libhtp log message
 * raises which. libhtp 0.5 reports most anomalies only as log text, so the mapping is by
 * message prefix. */
#include "app-layer/http/app-layer-http.h"

#include <string.h>

const char *const http_event_names[HTTP_EV_N] = {
    [HTTP_EV_UNKNOWN_ERROR] = "unknown_error",
    [HTTP_EV_GZIP_DECOMPRESSION_FAILED] = "gzip_decompression_failed",
    [HTTP_EV_REQUEST_FIELD_MISSING_COLON] = "request_field_missing_colon",
    [HTTP_EV_RESPONSE_FIELD_MISSING_COLON] = "response_field_missing_colon",
    [HTTP_EV_INVALID_REQUEST_CHUNK_LEN] = "invalid_request_chunk_len",
    [HTTP_EV_INVALID_RESPONSE_CHUNK_LEN] = "invalid_response_chunk_len",
    [HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_REQUEST] =
        "invalid_transfer_encoding_value_in_request",
    [HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_RESPONSE] =
        "invalid_transfer_encoding_value_in_response",
    [HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST] = "invalid_content_length_field_in_request",
    [HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_RESPONSE] =
        "invalid_content_length_field_in_response",
    [HTTP_EV_100_CONTINUE_ALREADY_SEEN] = "100_continue_already_seen",
    [HTTP_EV_UNABLE_TO_MATCH_RESPONSE_TO_REQUEST] = "unable_to_match_response_to_request",
    [HTTP_EV_INVALID_SERVER_PORT_IN_REQUEST] = "invalid_server_port_in_request",
    [HTTP_EV_INVALID_AUTHORITY_PORT] = "invalid_authority_port",
    [HTTP_EV_REQUEST_HEADER_INVALID] = "request_header_invalid",
    [HTTP_EV_RESPONSE_HEADER_INVALID] = "response_header_invalid",
    [HTTP_EV_MISSING_HOST_HEADER] = "missing_host_header",
    [HTTP_EV_HOST_HEADER_AMBIGUOUS] = "host_header_ambiguous",
    [HTTP_EV_INVALID_REQUEST_FIELD_FOLDING] = "invalid_request_field_folding",
    [HTTP_EV_INVALID_RESPONSE_FIELD_FOLDING] = "invalid_response_field_folding",
    [HTTP_EV_REQUEST_FIELD_TOO_LONG] = "request_field_too_long",
    [HTTP_EV_RESPONSE_FIELD_TOO_LONG] = "response_field_too_long",
    [HTTP_EV_MULTIPART_GENERIC_ERROR] = "multipart_generic_error",
    [HTTP_EV_MULTIPART_NO_FILEDATA] = "multipart_no_filedata",
    [HTTP_EV_MULTIPART_INVALID_HEADER] = "multipart_invalid_header",
    [HTTP_EV_REQUEST_SERVER_PORT_TCP_PORT_MISMATCH] = "request_server_port_tcp_port_mismatch",
    [HTTP_EV_REQUEST_URI_HOST_INVALID] = "request_uri_host_invalid",
    [HTTP_EV_REQUEST_HEADER_HOST_INVALID] = "request_header_host_invalid",
    [HTTP_EV_URI_DELIM_NON_COMPLIANT] = "uri_delim_non_compliant",
    [HTTP_EV_METHOD_DELIM_NON_COMPLIANT] = "method_delim_non_compliant",
    [HTTP_EV_REQUEST_LINE_LEADING_WHITESPACE] = "request_line_leading_whitespace",
    [HTTP_EV_TOO_MANY_ENCODING_LAYERS] = "too_many_encoding_layers",
    [HTTP_EV_ABNORMAL_CE_HEADER] = "abnormal_ce_header",
    [HTTP_EV_REQUEST_AUTH_UNRECOGNIZED] = "request_auth_unrecognized",
    [HTTP_EV_REQUEST_HEADER_REPETITION] = "request_header_repetition",
    [HTTP_EV_RESPONSE_HEADER_REPETITION] = "response_header_repetition",
    [HTTP_EV_RESPONSE_MULTIPART_BYTERANGES] = "response_multipart_byteranges",
    [HTTP_EV_RESPONSE_ABNORMAL_TRANSFER_ENCODING] = "response_abnormal_transfer_encoding",
    [HTTP_EV_RESPONSE_CHUNKED_OLD_PROTO] = "response_chunked_old_proto",
    [HTTP_EV_RESPONSE_INVALID_PROTOCOL] = "response_invalid_protocol",
    [HTTP_EV_RESPONSE_INVALID_STATUS] = "response_invalid_status",
    [HTTP_EV_REQUEST_LINE_INCOMPLETE] = "request_line_incomplete",
    [HTTP_EV_DOUBLE_ENCODED_URI] = "double_encoded_uri",
    [HTTP_EV_REQUEST_LINE_INVALID] = "request_line_invalid",
    [HTTP_EV_REQUEST_BODY_UNEXPECTED] = "request_body_unexpected",
    [HTTP_EV_LZMA_MEMLIMIT_REACHED] = "lzma_memlimit_reached",
    [HTTP_EV_DUPLICATE_CONTENT_LENGTH_FIELD_IN_REQUEST] =
        "duplicate_content_length_field_in_request",
    [HTTP_EV_DUPLICATE_CONTENT_LENGTH_FIELD_IN_RESPONSE] =
        "duplicate_content_length_field_in_response",
    [HTTP_EV_COMPRESSION_BOMB] = "compression_bomb",
    [HTTP_EV_TOO_MANY_WARNINGS] = "too_many_warnings",
    [HTTP_EV_RANGE_INVALID] = "range_invalid",
    [HTTP_EV_FILE_NAME_TOO_LONG] = "file_name_too_long",
    [HTTP_EV_FAILED_PROTOCOL_CHANGE] = "failed_protocol_change",
    [HTTP_EV_REQUEST_CHUNK_EXTENSION] = "request_chunk_extension",
    [HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL] = "request_line_missing_protocol",
    [HTTP_EV_REQUEST_TOO_MANY_HEADERS] = "request_too_many_headers",
    [HTTP_EV_RESPONSE_TOO_MANY_HEADERS] = "response_too_many_headers",
    [HTTP_EV_RESPONSE_CHUNK_EXTENSION] = "response_chunk_extension",
    [HTTP_EV_COMPRESSION_BOMB_LIMIT_REACHED] = "compression_bomb_limit_reached",
};

/* Message prefixes libhtp 0.5 logs (its warnings and errors), to our events. */
static const struct {
    const char *prefix;
    int ev;
} log_map[] = {
    {"GZip decompressor:", HTTP_EV_GZIP_DECOMPRESSION_FAILED},
    {"Request field invalid: colon missing", HTTP_EV_REQUEST_FIELD_MISSING_COLON},
    {"Response field invalid: missing colon", HTTP_EV_RESPONSE_FIELD_MISSING_COLON},
    {"Request chunk encoding: Invalid chunk length", HTTP_EV_INVALID_REQUEST_CHUNK_LEN},
    {"Response chunk encoding: Invalid chunk length", HTTP_EV_INVALID_RESPONSE_CHUNK_LEN},
    {"Invalid T-E value in request", HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_REQUEST},
    {"Invalid T-E value in response", HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_RESPONSE},
    {"Invalid C-L field in request", HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST},
    {"Invalid C-L field in response", HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_RESPONSE},
    {"Already seen 100-Continue", HTTP_EV_100_CONTINUE_ALREADY_SEEN},
    {"Unable to match response to request", HTTP_EV_UNABLE_TO_MATCH_RESPONSE_TO_REQUEST},
    {"Invalid server port information in request", HTTP_EV_INVALID_SERVER_PORT_IN_REQUEST},
    {"Invalid authority port", HTTP_EV_INVALID_AUTHORITY_PORT},
    {"Request field invalid", HTTP_EV_REQUEST_HEADER_INVALID},
    {"Request header name is not a token", HTTP_EV_REQUEST_HEADER_INVALID},
    {"Response field invalid", HTTP_EV_RESPONSE_HEADER_INVALID},
    {"Response header name is not a token", HTTP_EV_RESPONSE_HEADER_INVALID},
    {"Response header value contains null", HTTP_EV_RESPONSE_HEADER_INVALID},
    {"Host information in request headers required by HTTP/1.1",
     HTTP_EV_MISSING_HOST_HEADER},
    {"Host information ambiguous", HTTP_EV_HOST_HEADER_AMBIGUOUS},
    {"Invalid request field folding", HTTP_EV_INVALID_REQUEST_FIELD_FOLDING},
    {"Invalid response field folding", HTTP_EV_INVALID_RESPONSE_FIELD_FOLDING},
    {"Request field over", HTTP_EV_REQUEST_FIELD_TOO_LONG},
    {"Request buffer over", HTTP_EV_REQUEST_FIELD_TOO_LONG},
    {"Request field length exceeds", HTTP_EV_REQUEST_FIELD_TOO_LONG},
    {"Response field over", HTTP_EV_RESPONSE_FIELD_TOO_LONG},
    {"Response the buffer limit", HTTP_EV_RESPONSE_FIELD_TOO_LONG},
    {"Response field length exceeds", HTTP_EV_RESPONSE_FIELD_TOO_LONG},
    {"Request line: URI contains non-compliant delimiter", HTTP_EV_URI_DELIM_NON_COMPLIANT},
    {"Request line: non-compliant delimiter between Method and URI",
     HTTP_EV_METHOD_DELIM_NON_COMPLIANT},
    {"Request line: leading whitespace", HTTP_EV_REQUEST_LINE_LEADING_WHITESPACE},
    {"Too many response content encoding layers", HTTP_EV_TOO_MANY_ENCODING_LAYERS},
    {"C-E gzip has abnormal value", HTTP_EV_ABNORMAL_CE_HEADER},
    {"C-E deflate has abnormal value", HTTP_EV_ABNORMAL_CE_HEADER},
    {"C-E unknown setting", HTTP_EV_ABNORMAL_CE_HEADER},
    {"Excessive request header repetitions", HTTP_EV_REQUEST_HEADER_REPETITION},
    {"Excessive response header repetitions", HTTP_EV_RESPONSE_HEADER_REPETITION},
    {"Transfer-encoding has abnormal chunked value", HTTP_EV_RESPONSE_ABNORMAL_TRANSFER_ENCODING},
    {"Chunked transfer-encoding on HTTP/0.9 or HTTP/1.0", HTTP_EV_RESPONSE_CHUNKED_OLD_PROTO},
    {"Invalid response line: invalid protocol", HTTP_EV_RESPONSE_INVALID_PROTOCOL},
    {"Invalid response line: invalid response status", HTTP_EV_RESPONSE_INVALID_STATUS},
    {"Request line incomplete", HTTP_EV_REQUEST_LINE_INCOMPLETE},
    {"Unexpected request body", HTTP_EV_REQUEST_BODY_UNEXPECTED},
    {"LZMA decompressor: memory limit reached", HTTP_EV_LZMA_MEMLIMIT_REACHED},
    {"Ambiguous request C-L value", HTTP_EV_DUPLICATE_CONTENT_LENGTH_FIELD_IN_REQUEST},
    {"Ambiguous response C-L value", HTTP_EV_DUPLICATE_CONTENT_LENGTH_FIELD_IN_RESPONSE},
    {"Compression bomb:", HTTP_EV_COMPRESSION_BOMB},
    {"Request line: missing protocol", HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL},
    {"Too many request headers", HTTP_EV_REQUEST_TOO_MANY_HEADERS},
    {"Too many response headers", HTTP_EV_RESPONSE_TOO_MANY_HEADERS},
    {"Request chunk extension", HTTP_EV_REQUEST_CHUNK_EXTENSION},
    {"Response chunk extension", HTTP_EV_RESPONSE_CHUNK_EXTENSION},
    {"Request line: unknown method only", HTTP_EV_REQUEST_LINE_INVALID},
    {"Request line: unknown method and no protocol", HTTP_EV_REQUEST_LINE_INVALID},
    {"Request line: unknown method and invalid protocol", HTTP_EV_REQUEST_LINE_INVALID},
    {"C-T multipart/byteranges in responses", HTTP_EV_RESPONSE_MULTIPART_BYTERANGES},
    {"Switching Protocol with Content-Length", HTTP_EV_FAILED_PROTOCOL_CHANGE},
};

int http_event_from_log(const char *msg)
{
    for (size_t i = 0; i < sizeof(log_map) / sizeof(log_map[0]); i++) {
        if (strncmp(msg, log_map[i].prefix, strlen(log_map[i].prefix)) == 0) {
            return log_map[i].ev;
        }
    }
    return -1;
}

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (uint8_t)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Size line (RFC 9112 section 7.1): hex size, then optional ";ext" up to the LF. */
bool http_chunk_scan(HttpChunkScan *cs, const uint8_t *p, uint32_t n)
{
    bool ext = false;
    for (uint32_t i = 0; i < n && cs->state != HTTP_CS_OFF; i++) {
        uint8_t c = p[i];
        switch (cs->state) {
        case HTTP_CS_SIZE:
        case HTTP_CS_EXT:
            if (c == '\n') {
                cs->is_last = cs->has_size && cs->size == 0;
                cs->state = cs->is_last ? HTTP_CS_TRAILER
                                        : cs->size > 0 ? HTTP_CS_DATA : HTTP_CS_DATA_END;
                cs->has_size = false;
                cs->line_len = 0;
            } else if (cs->state == HTTP_CS_SIZE && hex_digit(c) >= 0 && cs->size < (1ull << 56)) {
                cs->size = cs->size * 16 + (uint64_t)hex_digit(c);
                cs->has_size = true;
            } else if (c == ';' && cs->state == HTTP_CS_SIZE) {
                ext = true;
                cs->state = HTTP_CS_EXT;
            }
            break;
        case HTTP_CS_DATA: {  // size > 0 here
            uint64_t take = n - i < cs->size ? n - i : cs->size;
            i += (uint32_t)take - 1;
            cs->size -= take;
            cs->state = cs->size == 0 ? HTTP_CS_DATA_END : HTTP_CS_DATA;
            break;
        }
        case HTTP_CS_DATA_END:
            if (c == '\n') {
                cs->state = HTTP_CS_SIZE;
                cs->size = 0;
            }
            break;
        default:  // HTTP_CS_TRAILER: header lines up to a blank one
            if (c == '\n') {
                cs->state = cs->line_len == 0 ? HTTP_CS_OFF : HTTP_CS_TRAILER;
                cs->line_len = 0;
            } else if (c != '\r') {
                cs->line_len++;
            }
            break;
        }
    }
    return ext;
}
