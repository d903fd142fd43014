"""1/3/5-minute response coverage and placement of response units (LSCP, MCLP, p-median)."""
