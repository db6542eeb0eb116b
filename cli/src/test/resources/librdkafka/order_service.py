#!/usr/bin/python3
"""An order service built on librdkafka (Debian's python3-confluent-kafka), the system under
test of LibrdkafkaIT: it reads a topic in a consumer group, writes every record to another topic
(key, value and headers as they are), and commits its offsets once the broker acknowledged the
writes: at least once. Nothing in it knows Faultline.

usage: order_service.py BOOTSTRAP GROUP CLIENT_ID INPUT OUTPUT PID_FILE
It exits when its standard input closes (the test that started it is gone).
"""
import os
import sys
import threading

from confluent_kafka import Consumer, KafkaException, Producer


def main():
    bootstrap, group, client_id, source, sink, pid_file = sys.argv[1:7]
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "client.id": client_id,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 3000,
        "heartbeat.interval.ms": 500,
        "partition.assignment.strategy": "cooperative-sticky",
    })
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "client.id": client_id + "-producer",
        "enable.idempotence": True,
        "linger.ms": 0,
    })
    consumer.subscribe([source])
    with open(pid_file + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(pid_file + ".tmp", pid_file)

    stop = threading.Event()

    def watch_parent():
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_parent, daemon=True).start()
    while not stop.is_set():
        batch = consumer.consume(num_messages=100, timeout=0.2)
        records = [m for m in batch if m.error() is None]
        for m in records:
            producer.produce(sink, key=m.key(), value=m.value(), headers=m.headers())
        if records:
            producer.flush(10)
            try:
                consumer.commit(asynchronous=False)
            except KafkaException as e:
                # A rebalance took the partitions away: their new owner starts from the last commit.
                print("commit failed: %s" % e, file=sys.stderr, flush=True)
    consumer.close()


if __name__ == "__main__":
    main()
