/* A Kafka broker for tests: librdkafka's mock cluster (one broker).
 *
 *     vg-kafka-mock TOPIC [PARTITIONS]
 *
 * Prints the bootstrap address on stdout (one line), creates TOPIC, then
 * reads commands from stdin: "down" takes the broker down, "up" brings it
 * back; end of input (or "quit") stops it. Test-only: it never ships. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: vg-kafka-mock TOPIC [PARTITIONS]\n");
        return 2;
    }
    int partitions = argc > 2 ? atoi(argv[2]) : 3;
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (rk == NULL) {
        fprintf(stderr, "vg-kafka-mock: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
    if (mc == NULL) {
        fprintf(stderr, "vg-kafka-mock: cannot start the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    if (rd_kafka_mock_topic_create(mc, argv[1], partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "vg-kafka-mock: cannot create topic %s\n", argv[1]);
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        if (strncmp(line, "down", 4) == 0) {
            rd_kafka_mock_broker_set_down(mc, 1);
            fprintf(stderr, "vg-kafka-mock: broker down\n");
        } else if (strncmp(line, "up", 2) == 0) {
            rd_kafka_mock_broker_set_up(mc, 1);
            fprintf(stderr, "vg-kafka-mock: broker up\n");
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        }
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
