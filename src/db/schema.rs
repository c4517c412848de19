// Diesel schema, written from migrations/sqlite/*/up.sql (the PostgreSQL folder has the same tables and columns); keep in step with the migrations.

diesel::table! {
    firms (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    template_versions (id) {
        id -> BigInt,
        template_id -> Text,
        version -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partnerships (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        customer_firm_id -> BigInt,
        supplier_firm_id -> BigInt,
        template_id -> Text,
        cadence -> Text,
        first_wave_on -> Nullable<Date>,
        send_time -> Text,
        timezone -> Text,
        response_window_days -> BigInt,
        reminder_days -> Text,
        min_reporting_size -> BigInt,
        min_comment_size -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    partnership_states (partnership_id) {
        partnership_id -> BigInt,
        state -> Text,
        note -> Text,
        schedule_from -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    people (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        side -> Text,
        email -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        name -> Text,
        level -> Text,
        function -> Text,
        region -> Text,
        roles -> Text,
        active -> Bool,
        opted_out_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        language -> Nullable<Text>,
        business_unit -> Text,
    }
}

diesel::table! {
    partnership_languages (partnership_id) {
        partnership_id -> BigInt,
        language -> Text,
    }
}

diesel::table! {
    partnership_optional_dimensions (partnership_id, dimension_id) {
        partnership_id -> BigInt,
        dimension_id -> Text,
    }
}

diesel::table! {
    partnership_attributes (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        key -> Text,
        label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    person_attributes (person_id, attribute_id) {
        person_id -> BigInt,
        attribute_id -> BigInt,
        value -> Text,
    }
}

diesel::table! {
    response_attributes (response_id, attribute_id) {
        response_id -> BigInt,
        attribute_id -> BigInt,
        value -> Text,
    }
}

diesel::table! {
    waves (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        seq -> BigInt,
        template_version_id -> BigInt,
        state -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        reminder_days -> Text,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        imported -> Bool,
        slot_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        series_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    survey_series (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        key -> Text,
        name -> Text,
        template_id -> Text,
        cadence -> Text,
        first_wave_on -> Nullable<Date>,
        send_time -> Text,
        timezone -> Text,
        response_window_days -> BigInt,
        reminder_days -> Text,
        state -> Text,
        note -> Text,
        schedule_from -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        wave_id -> BigInt,
        person_id -> BigInt,
        sent_at -> Nullable<Timestamp>,
        reminders_sent -> BigInt,
        last_reminded_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        responded -> Bool,
    }
}

diesel::table! {
    invitation_tokens (id) {
        id -> BigInt,
        invitation_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    responses (id) {
        id -> BigInt,
        invitation_id -> Nullable<BigInt>,
        wave_id -> BigInt,
        side -> Text,
        level -> Text,
        function -> Text,
        region -> Text,
        submitted_at -> Timestamp,
        updated_at -> Timestamp,
        business_unit -> Text,
        language -> Text,
    }
}

diesel::table! {
    answers (id) {
        id -> BigInt,
        response_id -> BigInt,
        item_id -> Text,
        value -> Nullable<BigInt>,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        response_id -> BigInt,
        question_id -> Text,
        body -> Text,
    }
}

diesel::table! {
    kpis (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        name -> Text,
        unit -> Text,
        better -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kpi_values (id) {
        id -> BigInt,
        kpi_id -> BigInt,
        wave_seq -> Nullable<BigInt>,
        observed_on -> Nullable<Date>,
        value -> Double,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        all_partnerships -> Bool,
        disabled -> Bool,
        created_at -> Timestamp,
        digest_opt_out -> Bool,
        last_digest_at -> Nullable<Timestamp>,
        summary_opt_out -> Bool,
    }
}

diesel::table! {
    user_scopes (id) {
        id -> BigInt,
        user_id -> BigInt,
        partnership_id -> BigInt,
        side -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    goals (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        metric -> Text,
        target_scope -> Text,
        target -> Double,
        due_on -> Date,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    flags (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        wave_id -> Nullable<BigInt>,
        rule -> Text,
        scope -> Text,
        measured -> Nullable<Double>,
        threshold -> Nullable<Double>,
        severity -> Text,
        state -> Text,
        details -> Text,
        assignee_user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        title -> Text,
        outcome -> Nullable<Text>,
        resolved_measured -> Nullable<Double>,
    }
}

diesel::table! {
    flag_actions (id) {
        id -> BigInt,
        flag_id -> BigInt,
        what -> Text,
        owner_person_id -> Nullable<BigInt>,
        owner_user_id -> Nullable<BigInt>,
        due_on -> Date,
        done_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    flag_follow_ups (id) {
        id -> BigInt,
        flag_id -> BigInt,
        wave_id -> BigInt,
        measured_before -> Nullable<Double>,
        measured -> Nullable<Double>,
        fired -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    flag_events (id) {
        id -> BigInt,
        flag_id -> BigInt,
        user_id -> Nullable<BigInt>,
        action -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
        details -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        headers -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        invitation_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agg_groups (id) {
        id -> BigInt,
        wave_id -> BigInt,
        side -> Text,
        segment_kind -> Text,
        segment_key -> Text,
        segment_label -> Text,
        invited -> BigInt,
        responded -> BigInt,
        cell_counts -> Text,
        smallest_cell -> Nullable<BigInt>,
    }
}

diesel::table! {
    agg_items (id) {
        id -> BigInt,
        group_id -> BigInt,
        item_id -> Text,
        n1 -> BigInt,
        n2 -> BigInt,
        n3 -> BigInt,
        n4 -> BigInt,
        n5 -> BigInt,
        dont_know -> BigInt,
        points -> BigInt,
        n6 -> BigInt,
        n7 -> BigInt,
        n8 -> BigInt,
        n9 -> BigInt,
        n10 -> BigInt,
        n11 -> BigInt,
    }
}

diesel::table! {
    agg_dimensions (id) {
        id -> BigInt,
        group_id -> BigInt,
        dimension_id -> Text,
        n_items -> BigInt,
        n_respondents -> BigInt,
        n_complete -> BigInt,
        sum_counts -> Text,
    }
}

diesel::table! {
    agg_dimension_items (id) {
        id -> BigInt,
        dimension_agg_id -> BigInt,
        item_id -> Text,
        n1 -> BigInt,
        n2 -> BigInt,
        n3 -> BigInt,
        n4 -> BigInt,
        n5 -> BigInt,
        points -> BigInt,
        n6 -> BigInt,
        n7 -> BigInt,
        n8 -> BigInt,
        n9 -> BigInt,
        n10 -> BigInt,
        n11 -> BigInt,
    }
}

diesel::table! {
    flag_rule_configs (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        config -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        attempts -> BigInt,
    }
}
diesel::table! {
    report_versions (partnership_id) {
        partnership_id -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    plan_objectives (id) {
        id -> BigInt,
        partnership_id -> BigInt,
        title -> Text,
        description -> Text,
        customer_owner_id -> BigInt,
        supplier_owner_id -> BigInt,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_objective_goals (objective_id, goal_id) {
        objective_id -> BigInt,
        goal_id -> BigInt,
    }
}

diesel::table! {
    plan_objective_dimensions (objective_id, dimension) {
        objective_id -> BigInt,
        dimension -> Text,
    }
}

diesel::table! {
    plan_milestones (id) {
        id -> BigInt,
        objective_id -> BigInt,
        title -> Text,
        due_on -> Date,
        done_on -> Nullable<Date>,
        owner_id -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    goal_owners (goal_id) {
        goal_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::joinable!(partnerships -> firms (customer_firm_id));
diesel::joinable!(people -> partnerships (partnership_id));
diesel::joinable!(partnership_states -> partnerships (partnership_id));
diesel::joinable!(partnership_languages -> partnerships (partnership_id));
diesel::joinable!(partnership_optional_dimensions -> partnerships (partnership_id));
diesel::joinable!(waves -> partnerships (partnership_id));
diesel::joinable!(partnership_attributes -> partnerships (partnership_id));
diesel::joinable!(person_attributes -> people (person_id));
diesel::joinable!(person_attributes -> partnership_attributes (attribute_id));
diesel::joinable!(response_attributes -> responses (response_id));
diesel::joinable!(response_attributes -> partnership_attributes (attribute_id));
diesel::joinable!(waves -> template_versions (template_version_id));
diesel::joinable!(waves -> survey_series (series_id));
diesel::joinable!(survey_series -> partnerships (partnership_id));
diesel::joinable!(invitations -> waves (wave_id));
diesel::joinable!(invitations -> people (person_id));
diesel::joinable!(invitation_tokens -> invitations (invitation_id));
diesel::joinable!(responses -> invitations (invitation_id));
diesel::joinable!(responses -> waves (wave_id));
diesel::joinable!(answers -> responses (response_id));
diesel::joinable!(comments -> responses (response_id));
diesel::joinable!(kpis -> partnerships (partnership_id));
diesel::joinable!(kpi_values -> kpis (kpi_id));
diesel::joinable!(user_scopes -> users (user_id));
diesel::joinable!(user_scopes -> partnerships (partnership_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(password_tokens -> users (user_id));
diesel::joinable!(goals -> partnerships (partnership_id));
diesel::joinable!(goals -> users (created_by));
diesel::joinable!(flags -> partnerships (partnership_id));
diesel::joinable!(flags -> waves (wave_id));
diesel::joinable!(flags -> users (assignee_user_id));
diesel::joinable!(flag_events -> flags (flag_id));
diesel::joinable!(flag_actions -> flags (flag_id));
diesel::joinable!(flag_actions -> people (owner_person_id));
diesel::joinable!(flag_follow_ups -> flags (flag_id));
diesel::joinable!(flag_follow_ups -> waves (wave_id));
diesel::joinable!(flag_events -> users (user_id));
diesel::joinable!(outbox -> invitations (invitation_id));
diesel::joinable!(mail_bounces -> outbox (outbox_id));
diesel::joinable!(undeliverable_addresses -> mail_bounces (bounce_id));
diesel::joinable!(agg_groups -> waves (wave_id));
diesel::joinable!(agg_items -> agg_groups (group_id));
diesel::joinable!(agg_dimensions -> agg_groups (group_id));
diesel::joinable!(agg_dimension_items -> agg_dimensions (dimension_agg_id));
diesel::joinable!(flag_rule_configs -> partnerships (partnership_id));

diesel::table! {
    mail_bounces (id) {
        id -> BigInt,
        fingerprint -> Text,
        email -> Text,
        outbox_id -> Nullable<BigInt>,
        kind -> Text,
        action -> Text,
        status -> Text,
        diagnostic -> Nullable<Text>,
        source -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    undeliverable_addresses (email) {
        email -> Text,
        reason -> Text,
        bounce_id -> Nullable<BigInt>,
        since -> Timestamp,
    }
}

diesel::joinable!(plan_objectives -> partnerships (partnership_id));
diesel::joinable!(plan_objective_goals -> plan_objectives (objective_id));
diesel::joinable!(plan_objective_goals -> goals (goal_id));
diesel::joinable!(plan_objective_dimensions -> plan_objectives (objective_id));
diesel::joinable!(plan_milestones -> plan_objectives (objective_id));
diesel::joinable!(plan_milestones -> people (owner_id));
diesel::joinable!(goal_owners -> goals (goal_id));
diesel::joinable!(goal_owners -> people (person_id));

diesel::allow_tables_to_appear_in_same_query!(
    firms,
    template_versions,
    partnerships,
    partnership_states,
    partnership_languages,
    partnership_optional_dimensions,
    partnership_attributes,
    person_attributes,
    response_attributes,
    people,
    waves,
    survey_series,
    invitations,
    invitation_tokens,
    responses,
    answers,
    comments,
    kpis,
    kpi_values,
    users,
    user_scopes,
    sessions,
    api_tokens,
    password_tokens,
    goals,
    flags,
    flag_events,
    flag_actions,
    flag_follow_ups,
    audit_log,
    outbox,
    agg_groups,
    agg_items,
    agg_dimensions,
    agg_dimension_items,
    flag_rule_configs,
    report_versions,
    sign_in_limits,
    mail_bounces,
    undeliverable_addresses,
    plan_objectives,
    plan_objective_goals,
    plan_objective_dimensions,
    plan_milestones,
    goal_owners,
);
