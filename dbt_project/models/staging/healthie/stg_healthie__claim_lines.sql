-- One row per CPT line (CptCodesCms1500) of a live claim: the nested `cpt_codes_cms1500s` of
-- stg_healthie__claims unnested and typed, in the claim's order (`line_number`, from 1).
with

source as (
    select
        claim_id,
        unnest(cpt_codes_cms1500s) as line,
        generate_subscripts(cpt_codes_cms1500s, 1) as line_number
    from {{ ref('stg_healthie__claims') }}
),

renamed as (
    select
        -- ids
        line.id as claim_line_id,
        claim_id,
        line.cpt_code.id as cpt_code_id,

        -- strings
        line.cpt_code.code as cpt_code,
        list_filter([line.mod1, line.mod2, line.mod3, line.mod4], lambda modifier: nullif(trim(modifier), '') is not null)
            as modifiers,
        coalesce(line.pointers, []) as diagnosis_pointers,

        -- numerics
        line_number,
        {{ healthie_number('line.units', 'units') }} as units,
        {{ healthie_money('line.fee', 'fee_amount') }} as fee_amount,

        -- dates and timestamps (UTC)
        {{ healthie_day('line.service_date', 'service_date') }} as service_date,
        {{ healthie_day('line.service_end_date', 'service_end_date') }} as service_end_date,
        {{ healthie_timestamp('line.created_at', 'created_at') }} as created_at,
        {{ healthie_timestamp('line.updated_at', 'updated_at') }} as updated_at

    from source
)

select * from renamed
