package dev.baton.supervisor;

public final class Main {
    public static void main(String[] args) {
    }
}
