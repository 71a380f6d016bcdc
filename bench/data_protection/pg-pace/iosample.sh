#!/bin/bash
# Every 100 ms: UTC time, the page cache's Dirty and Writeback (kB), and the disk's (vda) sectors
# written, writes in flight and weighted ms in queue so far (/proc/diskstats fields 10, 12, 14).
while :; do
  t=$(date -u +%H:%M:%S.%N | cut -c1-12)
  m=$(awk '/^Dirty:/{d=$2} /^Writeback:/{w=$2} END{print d, w}' /proc/meminfo)
  d=$(awk '$3=="vda"{print $10, $12, $14}' /proc/diskstats)
  echo "$t $m $d"
  sleep 0.1
done
